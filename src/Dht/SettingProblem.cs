namespace Dht;

/// <summary>A bad setting: its configuration key and what is wrong with its value.</summary>
/// <param name="Key">The key, sections separated by ':' (<c>Port</c>, <c>StorageLimits:MaxItems</c>, <c>Bootstrap:0</c>).</param>
/// <param name="Problem">What is wrong, with the value: <c>must be 0 to 65535, was 70000</c>.</param>
public sealed record SettingProblem(string Key, string Problem)
{
    /// <summary><c>Port must be 0 to 65535, was 70000</c>.</summary>
    public override string ToString() => $"{Key} {Problem}";
}
