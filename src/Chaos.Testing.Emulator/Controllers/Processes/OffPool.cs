namespace Chaos.Testing.Emulator.Controllers.Processes;

/// <summary>
/// Runs the runtime's blocking steps (creating a sandbox with <c>ip</c>, starting a launcher and finding its PID 1) on
/// threads of their own. On the thread pool, a hundred pods starting at once would block a hundred pool threads, and
/// the pool adds threads only a few per second: a 100-replica Deployment took 18 s to become Ready that way.
/// </summary>
internal static class OffPool
{
    public static Task<T> Run<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);

    public static Task Run(Action work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
}
