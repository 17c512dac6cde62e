namespace Dht.Lookups;

/// <summary>What a lookup asks its runner to do next.</summary>
internal enum LookupStepKind
{
    /// <summary>Send a query to <see cref="LookupStep.Node"/>, then call <c>Next</c> again at once.</summary>
    Query,

    /// <summary>
    /// Nothing to send now: call <c>Next</c> again at <see cref="LookupStep.WakeAt"/>, or earlier when an answer
    /// or a failure has been fed back.
    /// </summary>
    Waiting,

    /// <summary>The lookup is over; <c>Results</c> holds the closest nodes that answered.</summary>
    Finished,
}
