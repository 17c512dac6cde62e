using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Dht.Tests.Telemetry;

/// <summary>
/// Listens to the meter "Dht" of the given nodes only (other tests' nodes run in the same process), and keeps
/// every measurement with its tags.
/// </summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly HashSet<string> _nodes;

    public MetricsRecorder(IEnumerable<DhtNode> nodes)
    {
        _nodes = [.. nodes.Select(n => n.Id.ToString())];
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DhtNode.MeterName && NodeOf(instrument.Meter.Tags) is { } node && _nodes.Contains(node))
            {
                Instruments[instrument.Name] = instrument;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => Completed.Enqueue(instrument.Name);
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public ConcurrentDictionary<string, Instrument> Instruments { get; } = new();

    public ConcurrentQueue<Recorded> Measurements { get; } = new();

    /// <summary>Instruments whose measurements ended (their meter was disposed).</summary>
    public ConcurrentQueue<string> Completed { get; } = new();

    /// <summary>Takes the observable instruments' current values.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public IEnumerable<Recorded> Of(string instrument) => Measurements.Where(m => m.Instrument == instrument);

    public void Dispose() => _listener.Dispose();

    private static string? NodeOf(IEnumerable<KeyValuePair<string, object?>>? tags) =>
        tags?.FirstOrDefault(t => t.Key == "dht.node").Value as string;

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        Measurements.Enqueue(new Recorded(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    public sealed record Recorded(string Instrument, double Value, Dictionary<string, object?> Tags)
    {
        public string? Tag(string key) => Tags.TryGetValue(key, out var v) ? v?.ToString() : null;
    }
}
