using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Haven.Testing;

/// <summary>A message as the SMTP server received it, with the body decoded (base64 or quoted-printable).</summary>
public sealed record RecordedMail(string From, IReadOnlyList<string> To, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Subject => Headers.TryGetValue("Subject", out var subject) ? subject : "";
}

/// <summary>
/// A tiny SMTP server on a loopback port that accepts every message and records it — the fake for "outside the
/// machine" mail. Point the app at it with <c>Haven:Smtp:Host=127.0.0.1</c> and <c>Haven:Smtp:Port=</c><see cref="Port"/>.
/// Speaks just enough RFC 5321 for System.Net.Mail.SmtpClient: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
/// </summary>
public sealed class SmtpRecorder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<RecordedMail> _arrivals = Channel.CreateUnbounded<RecordedMail>();
    private readonly List<RecordedMail> _messages = [];
    private readonly Lock _lock = new();
    private readonly Task _accepting;

    public SmtpRecorder()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    private int _rejections;

    /// <summary>Answers the next <paramref name="count"/> messages with a temporary failure (451), as a relay that is busy or down does.</summary>
    public void RejectNext(int count) => Interlocked.Exchange(ref _rejections, count);

    private bool TakeRejection()
    {
        int left;
        do
        {
            left = Volatile.Read(ref _rejections);
            if (left <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _rejections, left - 1, left) != left);
        return true;
    }

    public IReadOnlyList<RecordedMail> Messages
    {
        get
        {
            lock (_lock)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>The settings that make a Haven app send its mail here.</summary>
    public void Configure(HavenTestAppOptions options)
    {
        options.Settings["Haven:Smtp:Host"] = "127.0.0.1";
        options.Settings["Haven:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits for the first message (already received or arriving) that matches.</summary>
    public async Task<RecordedMail> WaitForAsync(Func<RecordedMail, bool> match, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        lock (_lock)
        {
            if (_messages.FirstOrDefault(match) is { } already)
            {
                return already;
            }
        }

        try
        {
            await foreach (var mail in _arrivals.Reader.ReadAllAsync(cancel.Token))
            {
                if (match(mail))
                {
                    return mail;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException($"No matching mail arrived; received: {string.Join(", ", Messages.Select(m => m.Subject))}");
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 haven-test-smtp ready");
            string? from = null;
            var to = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-haven-test-smtp");
                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "HELO":
                    case "NOOP":
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RSET":
                        from = null;
                        to.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "MAIL":
                        from = Address(line);
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        to.Add(Address(line));
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA" when TakeRejection():
                        await writer.WriteLineAsync("451 4.3.0 Temporary failure, try again later");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        }

                        Record(from ?? "", [.. to], data.ToString());
                        from = null;
                        to.Clear();
                        await writer.WriteLineAsync("250 OK: queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 Command not implemented");
                        break;
                }
            }
        }
    }

    private void Record(string from, IReadOnlyList<string> to, string data)
    {
        var split = data.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headerText = split < 0 ? data : data[..split];
        var body = split < 0 ? "" : data[(split + 4)..];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var line in headerText.Split("\r\n"))
        {
            if (line.Length > 0 && char.IsWhiteSpace(line[0]) && last is not null)
            {
                headers[last] += " " + line.Trim();
            }
            else if (line.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon)
            {
                last = line[..colon];
                headers[last] = line[(colon + 1)..].Trim();
            }
        }

        var encoding = headers.TryGetValue("Content-Transfer-Encoding", out var e) ? e.ToLowerInvariant() : "7bit";
        var decoded = encoding switch
        {
            "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(body.Split("\r\n")))),
            "quoted-printable" => DecodeQuotedPrintable(body),
            _ => body,
        };
        var mail = new RecordedMail(from, to, headers, decoded);
        lock (_lock)
        {
            _messages.Add(mail);
        }

        _arrivals.Writer.TryWrite(mail);
    }

    private static string DecodeQuotedPrintable(string text)
    {
        var bytes = new List<byte>();
        var joined = text.Replace("=\r\n", "", StringComparison.Ordinal);
        for (var i = 0; i < joined.Length; i++)
        {
            if (joined[i] == '=' && i + 2 < joined.Length && Uri.IsHexDigit(joined[i + 1]) && Uri.IsHexDigit(joined[i + 2]))
            {
                bytes.Add(Convert.ToByte(joined.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(joined[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : line;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
