using Haven.Platform.Jobs;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Haven.Platform.Notifications;

/// <summary>
/// Delivers one notification's prompt to one device. Skips what no longer makes sense (device gone or now someone
/// else's, notification already read); forgets the device when FCM says its token is dead; retries transient failures
/// with backoff; a rejection (bad configuration, malformed token) leaves the job dead for an operator to see.
/// </summary>
internal sealed class PushJob(NpgsqlDataSource dataSource, FcmSender sender, IOptions<PushOptions> options) : IJobHandler
{
    public const string Kind = "platform.push";

    public sealed record Payload(Guid NotificationId, Guid DeviceId, bool Urgent);

    public async Task<JobOutcome> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var payload = context.PayloadAs<Payload>();
        string token;
        await using (var find = dataSource.CreateCommand("""
            SELECT d.token FROM platform.devices d JOIN platform.notifications n ON n.user_id = d.user_id
            WHERE d.id = $1 AND n.id = $2 AND n.read_at IS NULL
            """))
        {
            find.Parameters.Add(new() { Value = payload.DeviceId });
            find.Parameters.Add(new() { Value = payload.NotificationId });
            if (await find.ExecuteScalarAsync(cancellationToken) is not string found)
            {
                return JobOutcome.Done;
            }

            token = found;
        }

        var push = options.Value;
        var result = await sender.SendAsync(token, new PushMessage(push.Title, push.Body, payload.NotificationId, payload.Urgent), cancellationToken);
        switch (result)
        {
            case PushResult.UnregisteredResult:
                await using (var forget = dataSource.CreateCommand("DELETE FROM platform.devices WHERE id = $1 AND token = $2"))
                {
                    forget.Parameters.Add(new() { Value = payload.DeviceId });
                    forget.Parameters.Add(new() { Value = token });
                    await forget.ExecuteNonQueryAsync(cancellationToken);
                }

                return JobOutcome.Done;
            case PushResult.Transient transient:
                return JobOutcome.Retry(transient.Reason, transient.After);
            case PushResult.Rejected rejected:
                return JobOutcome.Fail(rejected.Reason);
            default:
                return JobOutcome.Done;
        }
    }
}
