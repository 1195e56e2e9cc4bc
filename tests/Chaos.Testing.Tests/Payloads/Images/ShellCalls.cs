using System.Text;
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

    private static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c is ' ' or '\t')
            {
                i++;
            }
            else if (c == '\\' && i + 1 < s.Length && s[i + 1] == '\n')
            {
                i += 2;
            }
            else if (c == '#')
            {
                while (i < s.Length && s[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is '\n' or ';' or '(' or ')' or '&' or '|')
            {
                var two = i + 1 < s.Length && s[i + 1] == c && c is '&' or '|';
                tokens.Add(new Token(two ? new string(c, 2) : c.ToString(), true, []));
                i += two ? 2 : 1;
            }
            else if (IsRedirection(s, i))
            {
                // [n]>, >>, >&, <: the operator and its target are no command word.
                while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] is '<' or '>' or '&'))
                {
                    i++;
                }

                while (i < s.Length && s[i] is ' ' or '\t')
                {
                    i++;
                }

                i = ReadWord(s, i, out _);
            }
            else
            {
                i = ReadWord(s, i, out var word);
                tokens.Add(word);
            }
        }

        return tokens;
    }

    private static bool IsRedirection(string s, int i)
    {
        var j = i;
        while (j < s.Length && char.IsAsciiDigit(s[j]))
        {
            j++;
        }

        return j < s.Length && s[j] is '<' or '>';
    }

    /// <summary>One word from <paramref name="i"/>: quotes removed, each <c>$(...)</c> kept apart as a script, <c>${...}</c> and <c>$((...))</c> as <c>$</c>.</summary>
    private static int ReadWord(string s, int i, out Token token)
    {
        var text = new StringBuilder();
        var substitutions = new List<string>();
        while (i < s.Length && s[i] is not (' ' or '\t' or '\n' or ';' or '&' or '|' or '(' or ')' or '<' or '>'))
        {
            var c = s[i];
            if (c == '\'')
            {
                var end = s.IndexOf('\'', i + 1);
                text.Append(s, i + 1, end - i - 1);
                i = end + 1;
            }
            else if (c == '"')
            {
                i++;
                while (s[i] != '"')
                {
                    i = s[i] == '\\' ? Append(text, s[i + 1], i + 2) : s[i] == '$' ? Dollar(s, i, text, substitutions) : Append(text, s[i], i + 1);
                }

                i++;
            }
            else if (c == '\\')
            {
                i = Append(text, s[i + 1], i + 2);
            }
            else
            {
                i = c == '$' ? Dollar(s, i, text, substitutions) : Append(text, c, i + 1);
            }
        }

        token = new Token(text.ToString(), false, substitutions);
        return i;
    }

    private static int Append(StringBuilder text, char c, int next)
    {
        text.Append(c);
        return next;
    }

    /// <summary>A <c>$</c> at <paramref name="i"/>: a substitution (kept), arithmetic or a parameter (skipped) or a plain <c>$</c>.</summary>
    private static int Dollar(string s, int i, StringBuilder text, List<string> substitutions)
    {
        text.Append('$');
        if (i + 1 < s.Length && s[i + 1] == '(')
        {
            var end = CloseParen(s, i + 2);
            if (s[i + 2] != '(')
            {
                substitutions.Add(s[(i + 2)..(end - 1)]);
            }

            return end;
        }

        if (i + 1 < s.Length && s[i + 1] == '{')
        {
            var depth = 0;
            var j = i + 1;
            do
            {
                depth += s[j] == '{' ? 1 : s[j] == '}' ? -1 : 0;
                j++;
            }
            while (depth > 0);
            return j;
        }

        return i + 1;
    }

    /// <summary>The index after the <c>)</c> that closes a <c>$(</c> opened before <paramref name="i"/>, across quotes and nesting.</summary>
    private static int CloseParen(string s, int i)
    {
        var depth = 1;
        while (depth > 0)
        {
            var c = s[i];
            if (c == '\\')
            {
                i += 2;
                continue;
            }

            if (c == '\'')
            {
                i = s.IndexOf('\'', i + 1) + 1;
                continue;
            }

            if (c == '"')
            {
                i++;
                while (s[i] != '"')
                {
                    i = s[i] == '\\' ? i + 2 : s[i] == '$' && s[i + 1] == '(' ? CloseParen(s, i + 2) : i + 1;
                }

                i++;
                continue;
            }

            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            i++;
        }

        return i;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex Assignment();

    private sealed record Token(string Text, bool IsOperator, IReadOnlyList<string> Substitutions);
}
