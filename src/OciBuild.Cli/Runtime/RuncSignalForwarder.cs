using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace OciBuild.Cli.Runtime;

/// <summary>
/// Passes SIGINT and SIGTERM that reach this process on to a running <c>runc run</c>, which passes
/// them on to the container's process, and keeps .NET from terminating this process so the caller
/// can still delete the container. A second signal kills the container, because a container's PID 1
/// ignores SIGINT and SIGTERM unless it installed a handler for them.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class RuncSignalForwarder : IDisposable
{
    // Linux signal numbers, the same on every architecture .NET runs on.
    internal const int SignalInterrupt = 2;
    internal const int SignalTerminate = 15;

    private readonly Process runc;
    private readonly Func<Task> killContainer;
    private readonly Action<string>? debugLog;
    private readonly PosixSignalRegistration[] registrations;
    private int signalsReceived;

    /// <param name="runc">The <c>runc run</c> process to forward to.</param>
    /// <param name="killContainer">Sends SIGKILL to the container, on the second signal.</param>
    /// <param name="debugLog">Receives a line for each signal handled.</param>
    public RuncSignalForwarder(Process runc, Func<Task> killContainer, Action<string>? debugLog)
    {
        this.runc = runc;
        this.killContainer = killContainer;
        this.debugLog = debugLog;
        registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    /// <summary>The forced kill started by a second signal, or null before one arrived.</summary>
    public Task? KillTask { get; private set; }

    /// <summary>Sends <paramref name="signal"/> to runc, which forwards it to the container's process.</summary>
    public void Send(int signal)
    {
        // Once runc has exited and been reaped, its process id may belong to an unrelated process.
        if (runc.HasExited)
        {
            return;
        }

        if (Kill(runc.Id, signal) != 0)
        {
            debugLog?.Invoke($"could not send signal {signal} to runc (pid {runc.Id}): errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in registrations)
        {
            registration.Dispose();
        }
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        int signal = context.Signal == PosixSignal.SIGINT ? SignalInterrupt : SignalTerminate;

        int count = Interlocked.Increment(ref signalsReceived);
        if (count == 2)
        {
            debugLog?.Invoke($"received {context.Signal} again; killing the container");
            KillTask = killContainer();
            return;
        }

        if (count > 2)
        {
            return;
        }

        // Ctrl+C in a terminal signals the whole foreground process group, and runc, started by this
        // process, is in that group. Forwarding as well would deliver SIGINT to the container twice,
        // which many programs take as a request to quit without cleaning up.
        if (signal == SignalInterrupt && IsForegroundOfTerminal())
        {
            debugLog?.Invoke("received SIGINT from the terminal, which also sent it to runc");
            return;
        }

        debugLog?.Invoke($"forwarding {context.Signal} to runc (pid {runc.Id})");
        Send(signal);
    }

    /// <summary>Tells whether this process group is the foreground group of a terminal on stdin, stdout or stderr.</summary>
    private static bool IsForegroundOfTerminal()
    {
        int processGroup = GetProcessGroup();
        for (int fd = 0; fd <= 2; fd++)
        {
            if (GetTerminalForegroundProcessGroup(fd) == processGroup)
            {
                return true;
            }
        }

        return false;
    }

    // DllImport rather than LibraryImport, which would need unsafe code enabled for the project;
    // all parameters are ints, so no marshalling is involved.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int processId, int signal);

    [DllImport("libc", EntryPoint = "getpgrp")]
    private static extern int GetProcessGroup();

    [DllImport("libc", EntryPoint = "tcgetpgrp")]
    private static extern int GetTerminalForegroundProcessGroup(int fd);
}
