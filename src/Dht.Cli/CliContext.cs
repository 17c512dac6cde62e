using System.Collections;

namespace Dht.Cli;

/// <summary>What a command runs with: the standard streams and the environment variables.</summary>
internal sealed record CliContext(TextReader Input, TextWriter Output, TextWriter Error, IDictionary Environment);
