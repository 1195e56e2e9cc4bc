using System.Text;

namespace Chaos.Testing.Tests.Payloads.Images;

/// <summary>The tokenizer of <see cref="ShellCalls"/>: words (quotes removed, <c>$(...)</c> kept apart) and operators.</summary>
internal static partial class ShellCalls
{
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
}
