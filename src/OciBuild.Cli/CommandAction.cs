using OciBuild.Core.Errors;

namespace OciBuild.Cli;

/// <summary>Runs a verb's work and turns its errors into a message on standard error and an exit code.</summary>
internal static class CommandAction
{
    public static async Task<int> RunAsync(Func<Task<int>> action, int failureCode = ExitCodes.Failure)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (OciException e)
        {
            await Console.Error.WriteLineAsync($"Error: {e.Message} [{e.Code}]").ConfigureAwait(false);
            return failureCode;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("Error: canceled").ConfigureAwait(false);
            return ExitCodes.Canceled;
        }
        catch (IOException e) when (StorageFullException.IsStorageFull(e))
        {
            // A write that no store method wrapped with its context. The message of the IOException names the file.
            await Console.Error.WriteLineAsync($"Error: {e.Message.TrimEnd('.')}; {StorageFullException.StoreFix} [{ErrorCodes.StorageFull}]").ConfigureAwait(false);
            return failureCode;
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"Error: {e.Message.TrimEnd('.')}; check that the path exists and that you can read or write it [{ErrorCodes.FileAccessFailed}]").ConfigureAwait(false);
            return failureCode;
        }
        catch (UnauthorizedAccessException e)
        {
            await Console.Error.WriteLineAsync($"Error: {e.Message.TrimEnd('.')}; run as root or set --root to a folder you can write [{ErrorCodes.FileAccessFailed}]").ConfigureAwait(false);
            return failureCode;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug or an input no check anticipated: name it plainly instead of ending with a stack trace.
            await Console.Error.WriteLineAsync($"Error: unexpected {e.GetType().Name}: {e.Message}; please report this with the command that caused it").ConfigureAwait(false);
            return failureCode;
        }
    }
}
