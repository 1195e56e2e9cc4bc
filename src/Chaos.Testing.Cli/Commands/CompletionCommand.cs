using System.CommandLine;

namespace Chaos.Testing.Cli.Commands;

/// <summary>
/// <c>chaos completion bash|zsh</c>: prints a script that wires the shell's completion to the tool's own
/// <c>[suggest]</c> directive (System.CommandLine), so completions always match the installed version.
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # chaos completion for bash: eval "$(chaos completion bash)" (e.g. in ~/.bashrc)
        _chaos_complete() {
          local IFS=$'\n'
          COMPREPLY=( $(compgen -W "$(chaos "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _chaos_complete chaos
        """;

    private const string Zsh = """
        # chaos completion for zsh: eval "$(chaos completion zsh)" (e.g. in ~/.zshrc, after compinit)
        _chaos_complete() {
          local -a candidates
          candidates=("${(@f)$(chaos "[suggest:${#BUFFER}]" "$BUFFER" 2>/dev/null)}")
          compadd -a candidates
        }
        compdef _chaos_complete chaos
        """;

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh." };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "Print the shell completion script: eval \"$(chaos completion bash)\" or eval \"$(chaos completion zsh)\".") { shell };
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine((parse.GetValue(shell) == "zsh" ? Zsh : Bash).ReplaceLineEndings("\n"));
            return ExitCodes.Held;
        });
        return command;
    }
}
