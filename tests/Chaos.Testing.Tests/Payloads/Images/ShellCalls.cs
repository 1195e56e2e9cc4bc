using System.Text.RegularExpressions;

namespace Chaos.Testing.Tests.Payloads.Images;

/// <summary>
/// The external programs a generated <c>sh</c> script calls: the first word of each simple command (at the start, after
/// <c>;</c>, a newline, <c>|</c>, <c>&amp;</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>(</c>, <c>{</c>, <c>!</c> and the keywords
/// <c>if then else elif while until do</c>), also inside <c>$(...)</c> wherever it stands, without shell builtins,
/// keywords, assignments and the script's own functions. Quoted text is an argument (the Python program of
/// <c>python3 -c '...'</c>, the command string of <c>trap</c>), <c>$((...))</c> is arithmetic.
/// <para>
/// A guard the generated scripts use is honoured as <c>sh</c> would run it in an image that lacks the tool:
/// <c>command -v T ... &amp;&amp; rest</c> skips <c>rest</c> (up to <c>||</c>, <c>;</c>, a newline, <c>&amp;</c> or the end of its
/// group), and <c>if command -v T ...; then body</c> skips <c>body</c> (up to its <c>else</c>, <c>elif</c> or <c>fi</c>).
/// Everything else counts whether or not it would run: this is a parser of the known style of
/// <see cref="PayloadScript"/> and <see cref="PayloadCleanup"/>, not a shell.
/// </para>
/// </summary>
internal static partial class ShellCalls
{
    private static readonly HashSet<string> Builtins = new(StringComparer.Ordinal)
    {
        ":", ".", "[", "break", "cd", "command", "continue", "echo", "eval", "exec", "exit", "export", "false", "getopts",
        "kill", "local", "printf", "pwd", "read", "readonly", "return", "set", "shift", "test", "times", "trap", "true",
        "type", "ulimit", "umask", "unset", "wait",
    };

    private static readonly HashSet<string> Openers = new(StringComparer.Ordinal) { "{", "if", "while", "until", "for", "case" };

    private static readonly HashSet<string> Closers = new(StringComparer.Ordinal) { "}", "fi", "done", "esac" };

    /// <summary>The programs <paramref name="script"/> calls in an image whose <c>PATH</c> has <paramref name="has"/>.</summary>
    public static SortedSet<string> Of(string script, Func<string, bool> has)
    {
        var calls = new SortedSet<string>(StringComparer.Ordinal);
        Collect(script, has, calls, new HashSet<string>(StringComparer.Ordinal));
        return calls;
    }

    private static void Collect(string script, Func<string, bool> has, SortedSet<string> calls, HashSet<string> functions)
    {
        var tokens = Tokenize(script);
        var start = true;
        var afterIf = false;
        var inForList = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.IsOperator)
            {
                start = t.Text != ")";
                inForList = inForList && t.Text is not (";" or "\n");
                afterIf = false;
                continue;
            }

            foreach (var inner in t.Substitutions)
            {
                Collect(inner, has, calls, functions);
            }

            if (!start || inForList)
            {
                continue;
            }

            var word = t.Text;
            if (Assignment().IsMatch(word))
            {
                continue;
            }

            if (word is "if" or "then" or "else" or "elif" or "while" or "until" or "do" or "!" or "{")
            {
                afterIf = word == "if";
                continue;
            }

            if (word is "for")
            {
                inForList = true;
                continue;
            }

            start = false;
            if (Closers.Contains(word))
            {
                continue;
            }

            if (word == "command" && i + 2 < tokens.Count && tokens[i + 1].Text == "-v")
            {
                var tool = tokens[i + 2].Text;
                i += 2;
                if (!has(tool))
                {
                    // A failed lookup: the && chain after it, or the body of the if it is the whole condition of, never runs.
                    if (i + 1 < tokens.Count && tokens[i + 1] is { IsOperator: true, Text: "&&" })
                    {
                        i = SkipTo(tokens, i + 2, stopAtListEnd: true) - 1;
                    }
                    else if (afterIf && i + 2 < tokens.Count && tokens[i + 1].Text is ";" or "\n" && tokens[i + 2].Text == "then")
                    {
                        i = SkipTo(tokens, i + 3, stopAtListEnd: false) - 1;
                        start = true;
                    }
                }

                afterIf = false;
                continue;
            }

            afterIf = false;
            if (i + 2 < tokens.Count && tokens[i + 1] is { IsOperator: true, Text: "(" } && tokens[i + 2] is { IsOperator: true, Text: ")" })
            {
                functions.Add(word);
                i += 2;
                start = true;
                continue;
            }

            if (!Builtins.Contains(word) && !functions.Contains(word))
            {
                calls.Add(word);
            }
        }
    }

    /// <summary>
    /// The index of the token that ends what is skipped from <paramref name="from"/>: with <paramref name="stopAtListEnd"/>
    /// the rest of an and-list (<c>||</c>, <c>;</c>, newline, <c>&amp;</c> or a closer of the enclosing group), else the
    /// body of an <c>if</c> (its <c>else</c>, <c>elif</c> or <c>fi</c>). Nested groups, ifs and loops are skipped whole.
    /// </summary>
    private static int SkipTo(List<Token> tokens, int from, bool stopAtListEnd)
    {
        var depth = 0;
        var start = true;
        for (var j = from; j < tokens.Count; j++)
        {
            var t = tokens[j];
            if (t.IsOperator)
            {
                if (t.Text == "(")
                {
                    depth++;
                }
                else if (t.Text == ")" && depth-- == 0)
                {
                    return j;
                }
                else if (stopAtListEnd && depth == 0 && t.Text is "||" or ";" or "\n" or "&")
                {
                    return j;
                }

                start = t.Text != ")";
                continue;
            }

            if (!start)
            {
                continue;
            }

            start = t.Text is "if" or "then" or "else" or "elif" or "while" or "until" or "do" or "!" or "{" || Assignment().IsMatch(t.Text);
            if (Openers.Contains(t.Text))
            {
                depth++;
            }
            else if (Closers.Contains(t.Text) && depth-- == 0)
            {
                return j;
            }
            else if (depth == 0 && t.Text is "then" or "do" or "else" or "elif" && (stopAtListEnd || t.Text is "else" or "elif"))
            {
                return j;
            }
        }

        return tokens.Count;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex Assignment();

    private sealed record Token(string Text, bool IsOperator, IReadOnlyList<string> Substitutions);
}
