using System.Diagnostics;
using Npgsql;

/// <summary>Latency figures the realtime benchmarks share: percentiles of samples, and the bare NOTIFY baseline.</summary>
internal static class Latency
{
    /// <summary>Baseline: how long PostgreSQL takes to carry a notification from one session to a listening one.</summary>
    public static async Task<Percentiles> NotifyRoundTripAsync(string connectionString, int count)
    {
        await using var listener = new NpgsqlConnection(connectionString);
        await using var sender = new NpgsqlConnection(connectionString);
        await listener.OpenAsync();
        await sender.OpenAsync();
        await using (var listen = new NpgsqlCommand("LISTEN bench_round_trip", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        var samples = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await using (var send = new NpgsqlCommand("NOTIFY bench_round_trip", sender))
            {
                await send.ExecuteNonQueryAsync();
            }

            await listener.WaitAsync();
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return Percentiles.Of(samples);
    }
}

internal sealed record Percentiles(int Count, double P50, double P95, double P99, double Max)
{
    public static Percentiles Of(List<double> samples)
    {
        samples.Sort();
        double At(double p) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(p * samples.Count) - 1)];
        return new Percentiles(samples.Count, Math.Round(At(0.50), 2), Math.Round(At(0.95), 2), Math.Round(At(0.99), 2), Math.Round(samples[^1], 2));
    }
}
