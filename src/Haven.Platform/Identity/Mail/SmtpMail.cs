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
}

/// <summary>One plain-text message.</summary>
public sealed record OutgoingMail(string To, string Subject, string Body);

/// <summary>
/// Sends account mail (password reset, invitations) in the background: the request that asked for it answers at once,
/// whether or not an account exists, so neither the answer nor its timing tells the two apart. Messages are held in
/// memory until sent; one lost in a crash is re-requested by the user.
/// </summary>
internal sealed partial class AccountMailer(IOptionsMonitor<SmtpOptions> options, ILogger<AccountMailer> logger) : BackgroundService
{
    private readonly Channel<OutgoingMail> _queue = Channel.CreateBounded<OutgoingMail>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    public void Enqueue(OutgoingMail mail) => _queue.Writer.TryWrite(mail);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var mail in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await SendAsync(mail, stoppingToken);
            }
            catch (Exception e) when (e is SmtpException or InvalidOperationException or IOException)
            {
                // The recipient and body stay out of the log: the body carries a one-time token.
                LogSendFailed(logger, e.GetType().Name);
            }
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending account mail failed ({ErrorType})")]
    private static partial void LogSendFailed(ILogger logger, string errorType);
}
