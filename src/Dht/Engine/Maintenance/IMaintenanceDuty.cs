namespace Dht.Engine.Maintenance;

/// <summary>
/// One routine duty of a node (routing upkeep, expiry, replication, contact saving, ...), run on the loop at
/// every maintenance tick. A duty with a longer period of its own keeps its own next-due time.
/// </summary>
internal interface IMaintenanceDuty
{
    /// <summary>Does what is due at <paramref name="now"/>. Called on the loop; must not block.</summary>
    void Run(DateTimeOffset now);
}
