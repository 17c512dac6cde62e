namespace Dht.Cli.Input;

/// <summary>One line of input: its text, or why it was refused.</summary>
/// <param name="Number">1 for the first line.</param>
/// <param name="Text">The line without its line end; empty when refused.</param>
/// <param name="Problem">Why it was refused, or <see cref="InputProblem.None"/>.</param>
internal sealed record InputLine(int Number, string Text, InputProblem Problem = InputProblem.None);
