namespace Chaos.Testing;

/// <summary>When a probe is checked.</summary>
[Flags]
internal enum ProbeModes
{
    None = 0,
    Before = 1,
    During = 2,
    After = 4,
}
