namespace Chaos.Testing;

/// <summary>POSIX shell quoting: every argument of a generated command goes through here, nothing is spliced raw.</summary>
internal static class Shell
{
    /// <summary>Quotes one argument for <c>sh</c>: single quotes, with embedded single quotes closed, escaped and reopened.</summary>
    public static string Quote(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        if (argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or ',' or '@' or '%' or '+'))
        {
            return argument;
        }

        return "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>One command line from an argument vector, each argument quoted.</summary>
    public static string Join(IEnumerable<string> argv) => string.Join(' ', argv.Select(Quote));
}

/// <summary>
/// One step of a payload: a command (argument vector, quoted when rendered) or a reviewed shell fragment that needs
/// shell features (a pipeline, a computed value). Fragments are written by the builders in this folder only, and take
/// their variable parts through <see cref="Shell.Quote"/>.
/// </summary>
internal sealed record ShellStep
{
    private ShellStep(string line) => Line = line;

    public string Line { get; }

    public static ShellStep Command(params string[] argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Length == 0)
        {
            throw new ArgumentException("A command needs at least its program name.", nameof(argv));
        }

        return new ShellStep(Shell.Join(argv));
    }

    public static ShellStep Fragment(string line)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(line);
        return new ShellStep(line);
    }

    public override string ToString() => Line;
}
