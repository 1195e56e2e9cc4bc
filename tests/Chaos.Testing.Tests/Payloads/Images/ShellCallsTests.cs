namespace Chaos.Testing.Tests.Payloads.Images;

/// <summary>The command extractor of the tool contract test, on the constructs the generated scripts use.</summary>
public sealed class ShellCallsTests
{
    private static readonly Func<string, bool> Everything = _ => true;

    [Theory]
    [InlineData("tc qdisc replace dev eth0 root netem delay 100ms || { echo 'chaos: install failed' >&2; exit 1; }", "tc")]
    [InlineData("chaos_fs=$(stat -f -c '%S %b' /tmp) && [ \"$(cut -c1 /f)\" = a ] || { echo no >&2; false; }", "cut,stat")]
    [InlineData("for p in $(pgrep -f 'x$'); do kill -TERM \"$p\" 2>/dev/null || true; done\nsleep 1", "pgrep,sleep")]
    [InlineData("f() { pkill -f \"$1\"; }\nf x; trap 'cleanup; rm -rf /; exit 0' TERM\npython3 -c 'import os; os.system(\"dd\")' 8080", "pkill,python3")]
    [InlineData("[ $(((0x${c#\"${c%????????}\"} >> 3) & 1)) -eq 1 ] && echo \"$((a * b))\" | tr 'a' 'b'", "tr")]
    [InlineData("iptables-save -t \"$t\" 2>/dev/null | grep -E -- 'x' | sed 's/^-A /-D /' | while IFS= read -r rule; do\n  iptables -w 5 -t \"$t\" $rule >/dev/null 2>&1\ndone", "grep,iptables,iptables-save,sed")]
    [InlineData("( trap - TERM; while sleep 1; do chaos_marked || { kill -USR1 $$; exit 0; }; done ) >/dev/null 2>&1 &\nwait \"$hold\"", "chaos_marked,sleep")]
    [InlineData("note \"process $p: $(tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null | cut -c1-120)\"", "cut,note,tr")]
    public void FindsTheFirstWordOfEverySimpleCommand_WithoutBuiltinsFunctionsAndQuotedText(string script, string expected)
    {
        ShellCalls.Of(script, Everything).Should().Equal(expected.Split(','));
    }

    [Fact]
    public void AnIfGuardedByCommandV_SkipsItsBody_OnlyWhenTheImageLacksTheTool()
    {
        const string script = "if command -v iptables-save >/dev/null 2>&1; then\n  iptables-save | grep x\nelse\n  head -n 1 /f\nfi\nrm -f /f\n";

        ShellCalls.Of(script, Everything).Should().Equal("grep", "head", "iptables-save", "rm");
        ShellCalls.Of(script, tool => tool != "iptables-save").Should().Equal("head", "rm");
    }

    [Fact]
    public void AnAndListAfterCommandV_IsSkipped_UpToItsEnd_WhenTheImageLacksTheTool()
    {
        // The disk fill's fallback: without fallocate only the dd branch runs; the rest of the line still counts.
        const string script = "if ! { command -v fallocate >/dev/null 2>&1 && fallocate -l \"$n\" /f; }; then rm -f /f; dd if=/dev/zero of=/f; fi; stat -f /\n"
            + "command -v ip >/dev/null 2>&1 && ip link show ifb0 >/dev/null 2>&1 && ip link del ifb0\nsleep 1";

        ShellCalls.Of(script, Everything).Should().Equal("dd", "fallocate", "ip", "rm", "sleep", "stat");
        ShellCalls.Of(script, tool => tool is not ("fallocate" or "ip")).Should().Equal("dd", "rm", "sleep", "stat");
    }
}
