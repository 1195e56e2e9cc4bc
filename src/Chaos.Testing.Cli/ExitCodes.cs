namespace Chaos.Testing.Cli;

/// <summary>The tool's exit codes (docs/cli.md lists them; CI gates read them).</summary>
internal static class ExitCodes
{
    /// <summary>Everything held: every experiment passed, was a dry run or was paused; a check or sweep found nothing wrong.</summary>
    public const int Held = 0;

    /// <summary>An experiment failed: the steady state broke, or the fault could not be injected or recovered, or it was aborted.</summary>
    public const int SteadyStateBroken = 1;

    /// <summary>Invalid input: a manifest problem, a bad option or config file, an unknown experiment; nothing ran.</summary>
    public const int Invalid = 2;

    /// <summary>Refused: a safety guard or a window refused an experiment (none failed), a pre-flight check failed, or a sweep left entries behind.</summary>
    public const int Refused = 3;

    /// <summary>Error: the cluster could not be reached or answered with an error the tool could not get past.</summary>
    public const int Error = 4;

    /// <summary>Cancelled (Ctrl+C): the running experiment recovered first.</summary>
    public const int Cancelled = 130;
}
