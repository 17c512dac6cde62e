using Dht.Protocol;
using Dht.Rpc;

namespace Dht.Routing;

/// <summary>
/// A node the routing table knows (in a bucket or in a replacement cache) and what it has seen of it.
/// Only the table changes it.
/// </summary>
internal sealed class Contact
{
    private RoundTripEstimate _roundTrip;

    internal Contact(NodeInfo node, DateTimeOffset now) => Reset(node, now);

    public NodeInfo Node { get; private set; }

    public NodeId Id => Node.Id;

    public NetEndPoint EndPoint => Node.EndPoint;

    /// <summary>Last time any valid message (query or response) came from this node.</summary>
    public DateTimeOffset LastSeen { get; private set; }

    /// <summary>Last time it answered one of our queries; null if it never has (at this address).</summary>
    public DateTimeOffset? LastResponse { get; private set; }

    /// <summary>Our queries to it that failed in a row since its last response.</summary>
    public int FailedQueries { get; private set; }

    /// <summary>Round trips of its answers to our queries (at this address): its queries' timeouts come from it.</summary>
    public RoundTripEstimate RoundTrip => _roundTrip;

    /// <summary>When we last pinged it while it was questionable; cleared when that ping's outcome arrives.</summary>
    public DateTimeOffset? PingSentAt { get; private set; }

    /// <summary>Whether it serves our named-value extension, as far as it has shown (at this address).</summary>
    public ExtensionSupport Extension { get; private set; }

    /// <summary>
    /// BEP 5's state. Departure: any failure since the last response makes a contact questionable (not good),
    /// even inside the good window, so that a failing contact is re-checked before it is relied upon.
    /// </summary>
    public ContactState State(DateTimeOffset now, RoutingTableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (FailedQueries >= options.MaxFailuresBeforeBad)
        {
            return ContactState.Bad;
        }

        // LastSeen is the later of the last response and the last query from it, so this is BEP 5's
        // "responded within the window, or ever responded and queried us within the window".
        return FailedQueries == 0 && LastResponse is not null && now - LastSeen < options.GoodWindow
            ? ContactState.Good
            : ContactState.Questionable;
    }

    /// <summary>True when a ping was sent and neither its outcome nor the retry interval has passed since.</summary>
    public bool IsPingOutstanding(DateTimeOffset now, RoutingTableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return PingSentAt is { } sent && now - sent < options.PingRetryInterval;
    }

    public override string ToString() => Node.ToString();

    internal void OnHeard(bool isResponse, DateTimeOffset now, TimeSpan? roundTrip = null)
    {
        if (now > LastSeen)
        {
            LastSeen = now;
        }

        if (isResponse)
        {
            LastResponse = now;
            FailedQueries = 0;
            PingSentAt = null;
            if (roundTrip is { } sample)
            {
                _roundTrip.Add(sample);
            }
        }
    }

    internal void OnFailed()
    {
        FailedQueries++;
        PingSentAt = null;
    }

    internal void OnPinged(DateTimeOffset now) => PingSentAt = now;

    /// <summary>A refusal is final (a node of ours with the extension turned off still sends our client version).</summary>
    internal void Learn(ExtensionSupport support)
    {
        if (support > Extension)
        {
            Extension = support;
        }
    }

    /// <summary>
    /// Makes this object a new contact for <paramref name="node"/>, as if just constructed: the routing table
    /// reuses the replacement candidate it drops for the newcomer that takes its place. Returns this contact.
    /// </summary>
    internal Contact Reset(NodeInfo node, DateTimeOffset now)
    {
        Node = node;
        LastSeen = now;
        LastResponse = null;
        FailedQueries = 0;
        PingSentAt = null;
        _roundTrip = default;
        Extension = ExtensionSupport.Unknown;
        return this;
    }

    /// <summary>The id is now at another address: nothing learned at the old one applies.</summary>
    internal void MoveTo(NetEndPoint endPoint, DateTimeOffset now) => Reset(new NodeInfo(Node.Id, endPoint), now);
}
