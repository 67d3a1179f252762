namespace Ml.Relaxation.Samples.Datasets;

/// <summary>
/// A problem with the user's data or arguments that the user can fix. The tool reports its message as one line and
/// exits with <see cref="CommandLine.ExitCodes.DataError"/>, so the message names what to change.
/// </summary>
internal sealed class InputError(string message) : Exception(message);
