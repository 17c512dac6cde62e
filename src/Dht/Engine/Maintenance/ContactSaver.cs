// Saves the routing contacts so that a restarted node rejoins without a bootstrap address: after joining (a
// node killed before its first periodic save could not rejoin), every 5 minutes, and at shutdown. Good and
// questionable contacts only, most recently seen first.
using Dht.Routing;
using Dht.Protocol;
using Dht.Storage;

namespace Dht.Engine.Maintenance;

/// <summary>Loads and saves the contacts of a routing table.</summary>
internal sealed class ContactSaver : IMaintenanceDuty
{
    /// <summary>How many saved contacts a restarted node pings to rejoin, and how many it saves.</summary>
    public const int MaxSavedContacts = 200;

    /// <summary>How often the routing contacts are saved (also after joining and at shutdown).</summary>
    public static readonly TimeSpan SaveInterval = TimeSpan.FromMinutes(5);

    private readonly INodeStateStore? _state;
    private readonly RoutingTable _routing;
    private DateTimeOffset _nextSave;

    public ContactSaver(INodeStateStore? state, RoutingTable routing)
    {
        _state = state;
        _routing = routing;
        Saved = state?.LoadContacts().Select(c => c.EndPoint).Take(MaxSavedContacts).ToArray() ?? [];
    }

    /// <summary>Contacts saved by an earlier run: pinged when joining, like bootstrap nodes.</summary>
    public IReadOnlyList<NetEndPoint> Saved { get; }

    public void Run(DateTimeOffset now)
    {
        if (_state is not null && now >= _nextSave)
        {
            _nextSave = now + SaveInterval;
            Save(now);
        }
    }

    /// <summary>Saves the contacts now. Call on the loop.</summary>
    public void Save(DateTimeOffset now)
    {
        if (_state is null)
        {
            return;
        }

        var options = _routing.Options;
        _state.SaveContacts(_routing.Contacts
            .Where(c => c.State(now, options) != ContactState.Bad)
            .OrderByDescending(c => c.LastSeen)
            .Take(MaxSavedContacts)
            .Select(c => (c.Id, c.EndPoint, c.LastSeen))
            .ToArray());
    }
}
