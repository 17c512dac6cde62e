using System.Diagnostics;

namespace Dht.Telemetry;

/// <summary>A result of an application operation, as its span and its duration measurement describe it.</summary>
internal interface IOperationResult
{
    /// <summary>The <c>dht.outcome</c> tag (<see cref="Outcomes"/>).</summary>
    string Outcome { get; }

    /// <summary>Adds the result's counts (nodes asked, answered, stored...) to the operation's span.</summary>
    void Describe(Activity activity);
}
