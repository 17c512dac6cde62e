namespace Dht;

/// <summary>The outcome of joining: how many bootstrap nodes answered and how many contacts we now have.</summary>
public sealed record BootstrapResult(int BootstrapNodes, int BootstrapNodesReached, int Contacts);
