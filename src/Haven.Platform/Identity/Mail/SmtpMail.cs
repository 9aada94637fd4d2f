using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Mail;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Identity.Mail;

/// <summary>Outgoing mail settings under <c>Haven:Smtp</c>. Without a host, mail is dropped with a warning (development).</summary>
public sealed class SmtpOptions
{
    public const string Section = "Haven:Smtp";

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    public bool EnableSsl { get; set; }

    public string? UserName { get; set; }

    public string? Password { get; set; }

    [Required]
    public string From { get; set; } = "Haven <no-reply@haven.local>";

    /// <summary>Tries per message before it is given up (a relay that is down for a while loses nothing shorter).</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Wait before the first retry; doubled for each further one (5 s, 10 s, 20 s ... about 2.5 min in all by default).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>One plain-text message.</summary>
public sealed record OutgoingMail(string To, string Subject, string Body);

/// <summary>
/// Sends account mail (password reset, invitations) in the background: the request that asked for it answers at once,
/// whether or not an account exists, so neither the answer nor its timing tells the two apart. A failed send is retried
/// with growing pauses (<see cref="SmtpOptions.MaxAttempts"/>), without holding up the messages behind it. Messages
/// are held in memory, not in the database, because their bodies carry one-time tokens that are stored only hashed;
/// one lost in a crash is re-requested by the user (or re-sent by the admin who invited).
/// </summary>
internal sealed partial class AccountMailer(IOptionsMonitor<SmtpOptions> options, ILogger<AccountMailer> logger) : BackgroundService
{
    private readonly Channel<Queued> _queue = Channel.CreateBounded<Queued>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    public void Enqueue(OutgoingMail mail) => _queue.Writer.TryWrite(new Queued(mail, 1));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var queued in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await SendAsync(queued.Mail, stoppingToken);
            }
            catch (Exception e) when (e is SmtpException or InvalidOperationException or IOException)
            {
                // The recipient and body stay out of the log: the body carries a one-time token.
                var settings = options.CurrentValue;
                if (queued.Attempt >= settings.MaxAttempts)
                {
                    LogGaveUp(logger, e.GetType().Name, queued.Attempt);
                    continue;
                }

                var delay = settings.RetryDelay * Math.Pow(2, queued.Attempt - 1);
                LogRetrying(logger, e.GetType().Name, queued.Attempt, delay.TotalSeconds);
                _ = RequeueAsync(queued with { Attempt = queued.Attempt + 1 }, delay, stoppingToken);
            }
        }
    }

    private async Task RequeueAsync(Queued queued, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
            _queue.Writer.TryWrite(queued);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the message goes with the rest of the in-memory queue.
        }
    }

    private async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (string.IsNullOrWhiteSpace(settings.Host))
        {
            LogNotConfigured(logger, mail.Subject);
            return;
        }

        using var client = new SmtpClient(settings.Host, settings.Port) { EnableSsl = settings.EnableSsl };
        if (!string.IsNullOrEmpty(settings.UserName))
        {
            client.Credentials = new NetworkCredential(settings.UserName, settings.Password);
        }

        using var message = new MailMessage(settings.From, mail.To, mail.Subject, mail.Body) { BodyEncoding = System.Text.Encoding.UTF8 };
        await client.SendMailAsync(message, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Haven:Smtp:Host is not set; a message '{Subject}' was not sent")]
    private static partial void LogNotConfigured(ILogger logger, string subject);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending account mail failed ({ErrorType}, attempt {Attempt}); retrying in {DelaySeconds} s")]
    private static partial void LogRetrying(ILogger logger, string errorType, int attempt, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending account mail failed ({ErrorType}) after {Attempts} attempts; the message is dropped")]
    private static partial void LogGaveUp(ILogger logger, string errorType, int attempts);

    private sealed record Queued(OutgoingMail Mail, int Attempt);
}
