using System.Globalization;
using System.Text;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Runtime.Processes;
using Microsoft.AspNetCore.Http;

namespace Chaos.Testing.Emulator.Server;

/// <content>
/// <c>pods/log</c> of a container that really runs: what it printed, with the API's parameters (<c>tailLines</c>,
/// <c>sinceSeconds</c>, <c>sinceTime</c>, <c>limitBytes</c>, <c>timestamps</c>, <c>previous</c>, <c>follow</c>).
/// </content>
internal sealed partial class ApiServer
{
    private async Task WriteRealLogAsync(HttpContext context, ContainerLogFile file, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var tail = Number(query, "tailLines");
        var limit = Number(query, "limitBytes");
        DateTimeOffset? since = Number(query, "sinceSeconds") is long seconds ? _time.GetUtcNow().AddSeconds(-seconds) : null;
        if (query["sinceTime"].ToString() is { Length: > 0 } sinceTime)
        {
            since = DateTimeOffset.TryParse(sinceTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : throw ApiException.BadRequest($"sinceTime: \"{sinceTime}\" is not an RFC 3339 time");
        }

        var timestamps = QueryParameters.Bool(query, "timestamps");
        var follow = QueryParameters.Bool(query, "follow") && file.Running is { IsCompleted: false };
        var logQuery = new LogQuery(tail is null ? null : (int)Math.Min(tail.Value, int.MaxValue), since, limit);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        long written = 0;
        async Task<bool> WriteAsync(LogLine line)
        {
            var text = (timestamps ? line.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + " " : string.Empty) + line.Text + "\n";
            var bytes = Encoding.UTF8.GetBytes(text);
            if (limit is long max && written + bytes.Length > max)
            {
                bytes = bytes[..(int)(max - written)];
            }

            written += bytes.Length;
            await context.Response.Body.WriteAsync(bytes, cancellationToken);
            return limit is not long l || written < l;
        }

        if (!follow)
        {
            foreach (var line in File.Exists(file.Path) ? ContainerLog.Read(file.Path, logQuery) : [])
            {
                if (!await WriteAsync(line))
                {
                    break;
                }
            }

            return;
        }

        await context.Response.StartAsync(cancellationToken);
        await foreach (var line in ContainerLog.FollowAsync(file.Path, logQuery, file.Running!, cancellationToken))
        {
            if (!await WriteAsync(line))
            {
                break;
            }

            await context.Response.Body.FlushAsync(cancellationToken);
        }
    }

    private static long? Number(IQueryCollection query, string name)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw ApiException.BadRequest($"{name}: \"{text}\" must be a non-negative integer");
    }
}
