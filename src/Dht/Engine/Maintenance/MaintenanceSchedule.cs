namespace Dht.Engine.Maintenance;

/// <summary>Runs the node's duties, in order, every <see cref="DhtOptions.MaintenanceInterval"/>, on the loop's timer.</summary>
internal sealed class MaintenanceSchedule(TimeSpan interval, IReadOnlyList<IMaintenanceDuty> duties)
{
    /// <summary>When the duties next run (the node's timer is armed for it).</summary>
    public DateTimeOffset NextDue { get; private set; } = DateTimeOffset.MaxValue;

    /// <summary>Schedules the first run one interval from <paramref name="now"/>.</summary>
    public void Start(DateTimeOffset now) => NextDue = now + interval;

    /// <summary>Stops scheduling (shutdown).</summary>
    public void Stop() => NextDue = DateTimeOffset.MaxValue;

    /// <summary>Runs every duty when the schedule is due. Call on the loop.</summary>
    public void RunIfDue(DateTimeOffset now)
    {
        if (now < NextDue)
        {
            return;
        }

        NextDue = now + interval;
        foreach (var duty in duties)
        {
            duty.Run(now);
        }
    }
}
