namespace Chaos.Testing;

/// <summary>
/// Steps shared by the DNS and HTTP payloads: a Python helper (a proxy) started in the background during install,
/// and iptables rules tagged with the payload's tag.
/// </summary>
internal static class PayloadProxy
{
    /// <summary>
    /// Prepended to every helper program after its marker line: <c>ready()</c> prints the helper's pid once it listens
    /// and then points stdout at stderr, which closes the pipe the install step reads (so the install waits for it).
    /// </summary>
    private const string ReadyFunction = """
        import os as _chaos_os


        def ready():
            print(_chaos_os.getpid(), flush=True)
            _chaos_os.dup2(2, 1)


        """;

    /// <summary>
    /// Adds the install step that starts <paramref name="program"/> (<c>python3 -c</c>) in the background and waits
    /// until it listens (it calls <c>ready()</c>), keeping its pid in <c>$chaos_&lt;kind&gt;</c>; and the cleanup steps
    /// that kill it (<see cref="PayloadScript.Stop"/> steps): by that pid in the payload's own trap, by <see cref="ProcessPattern"/> in the early-recovery
    /// script (a separate shell, where the variable does not exist).
    /// </summary>
    /// <param name="script">The payload.</param>
    /// <param name="kind">The helper's kind (letters only), e.g. <c>dnsproxy</c>: names its variable and its marker.</param>
    /// <param name="program">The Python program; it must call <c>ready()</c> once it listens.</param>
    /// <param name="arguments">The program's arguments (<c>sys.argv[1:]</c>), quoted when rendered.</param>
    public static PayloadScript StartHelper(this PayloadScript script, string kind, string program, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(script);
        if (string.IsNullOrEmpty(kind) || !kind.All(char.IsAsciiLetterLower))
        {
            throw new ArgumentException($"A helper kind is lower-case letters, was \"{kind}\".", nameof(kind));
        }

        var variable = "chaos_" + kind;
        var marked = $"# chaos-{kind}-{script.Tag}\n{ReadyFunction}{program}";
        var command = Shell.Join(["python3", "-c", marked, .. arguments]);

        // $(... &) returns when the helper closes its stdout (ready() does, once it listens) or when it dies (empty).
        script.Install(ShellStep.Fragment($"{variable}=$({command} &) && [ \"${variable}\" -gt 0 ] 2>/dev/null"));
        script.Stop(ShellStep.Fragment($"[ -z \"${{{variable}:-}}\" ] || kill \"${variable}\""));
        return script.Stop(ShellStep.Command("pkill", "-f", ProcessPattern(kind, script.Tag)));
    }

    /// <summary>
    /// The <c>pgrep -f</c> pattern of a helper: its command line is <c>&lt;python&gt; -c # chaos-&lt;kind&gt;-&lt;tag&gt;\n...</c>.
    /// It matches neither the payload's shell (<c>sh -c # chaos-payload-...</c>) nor the <c>pkill</c> that uses it.
    /// </summary>
    public static string ProcessPattern(string kind, string tag) => $"^[^ ]+ -c # chaos-{kind}-{tag}[[:space:]]";

    /// <summary>
    /// Adds an iptables rule inserted first in <paramref name="chain"/> of <paramref name="table"/>, tagged
    /// <c>-m comment --comment chaos-&lt;tag&gt;</c>, and the cleanup step that deletes exactly that rule.
    /// </summary>
    public static PayloadScript TaggedRule(this PayloadScript script, string table, string chain, string[] match, string[] target)
    {
        ArgumentNullException.ThrowIfNull(script);
        string[] Rule(string operation) =>
            ["iptables", "-w", "-t", table, operation, chain, .. match, "-m", "comment", "--comment", "chaos-" + script.Tag, .. target];

        return script.Install(Rule("-I")).Cleanup(Rule("-D"));
    }
}
