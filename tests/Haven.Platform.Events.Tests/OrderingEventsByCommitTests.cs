using System.Collections.Concurrent;
using Haven.Platform.Data;
using Haven.Platform.Events.Tests.Support;
using Haven.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Haven.Platform.Events.Tests;

/// <summary>
/// A reader that polls "events after my cursor" must never miss an event, even when the transaction that published it
/// commits after a later one did (the case a plain identity column gets wrong).
/// </summary>
public sealed class OrderingEventsByCommitTests(EventsAppFixture fixture) : IClassFixture<EventsAppFixture>
{
    private HavenTestApp App => fixture.App;

    private IEventFeed Feed => App.Services.GetRequiredService<IEventFeed>();

    [Fact]
    public async Task An_event_whose_transaction_commits_late_is_positioned_after_events_that_committed_before_it()
    {
        var reader = Guid.NewGuid();
        var audience = EventAudience.User(reader);
        await using var scope = App.Services.CreateAsyncScope();
        var slowDb = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var outbox = App.Services.GetRequiredService<IOutbox>();

        // The slow transaction inserts first (its row gets the lower id) but commits last.
        var slow = await slowDb.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await outbox.EnqueueAsync(slowDb, EventsApp.ToUser(reader, "test.changed", new { n = "slow" }), TestContext.Current.CancellationToken);
        await App.PublishAsync(EventsApp.ToUser(reader, "test.changed", new { n = "fast" }));

        var first = await ReadUntilAsync(audience, 0, 1);
        first.Select(e => e.Payload.GetProperty("n").GetString()).Should().Equal("fast");
        var cursor = first[^1].Position;

        await slow.CommitAsync(TestContext.Current.CancellationToken);
        var next = await ReadUntilAsync(audience, cursor, 1);

        next.Select(e => e.Payload.GetProperty("n").GetString()).Should().Equal(["slow"], "the reader's cursor was past 'fast', and 'slow' must still reach it");
        next[0].Position.Should().BeGreaterThan(cursor);
    }

    [Fact]
    public async Task Concurrent_writers_committing_in_random_order_leave_no_gap_for_a_polling_reader()
    {
        var reader = Guid.NewGuid();
        var audience = EventAudience.User(reader);
        var committed = new ConcurrentBag<string>();
        var cancellation = TestContext.Current.CancellationToken;
        var start = await Feed.LatestPositionAsync(cancellation);

        async Task WriterAsync(int writer)
        {
            var random = new Random(writer);
            for (var i = 0; i < 15; i++)
            {
                await using var scope = App.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
                await using var transaction = await db.Database.BeginTransactionAsync(cancellation);
                var ids = Enumerable.Range(0, random.Next(1, 4)).Select(k => $"{writer}-{i}-{k}").ToList();
                await scope.ServiceProvider.GetRequiredService<IOutbox>().EnqueueAsync(
                    db, [.. ids.Select(id => EventsApp.ToUser(reader, "test.changed", new { id }))], cancellation);
                // Hold the transaction open for a while so commits interleave out of insertion order.
                await Task.Delay(random.Next(0, 40), cancellation);
                if (random.Next(5) == 0)
                {
                    await transaction.RollbackAsync(cancellation);
                    continue;
                }

                await transaction.CommitAsync(cancellation);
                ids.ForEach(committed.Add);
            }
        }

        var seen = new List<StoredEvent>();
        var writers = Task.WhenAll(Enumerable.Range(0, 8).Select(WriterAsync));
        var cursor = start;
        while (!writers.IsCompleted || seen.Count < committed.Count)
        {
            var page = await Feed.ReadAsync([audience], cursor, 50, cancellation);
            seen.AddRange(page.Events);
            cursor = page.Events.Count > 0 ? page.Events[^1].Position : cursor;
            await Task.Delay(5, cancellation);
            if (writers.IsCompleted && seen.Count < committed.Count)
            {
                // Let the sequencer finish the last commits.
                await ReadUntilAsync(audience, start, committed.Count);
            }
        }

        await writers;
        seen.Select(e => e.Payload.GetProperty("id").GetString()).Should().BeEquivalentTo(committed, "every committed event once, no rolled-back one");
        seen.Select(e => e.Position).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        var all = await Feed.ReadAsync([audience], start, 1000, cancellation);
        all.Events.Should().HaveCount(committed.Count);
    }

    [Fact]
    public async Task Positions_have_no_holes_even_when_transactions_roll_back()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var before = await Feed.LatestPositionAsync(cancellation);
        var user = Guid.NewGuid();
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            await using var rolledBack = await db.Database.BeginTransactionAsync(cancellation);
            await App.Services.GetRequiredService<IOutbox>().EnqueueAsync(db, EventsApp.ToUser(user, "test.changed", new { n = 0 }), cancellation);
            await rolledBack.RollbackAsync(cancellation);
        }

        await App.PublishAsync(EventsApp.ToUser(user, "test.changed", new { n = 1 }), EventsApp.ToUser(user, "test.changed", new { n = 2 }));
        var events = await ReadUntilAsync(EventAudience.User(user), before, 2);

        events.Select(e => e.Payload.GetProperty("n").GetInt32()).Should().Equal(1, 2);
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync(cancellation);
        await using var check = new NpgsqlCommand("SELECT count(*), min(position), max(position) FROM platform.events WHERE position IS NOT NULL", connection);
        await using var result = await check.ExecuteReaderAsync(cancellation);
        await result.ReadAsync(cancellation);
        (result.GetInt64(2) - result.GetInt64(1) + 1).Should().Be(result.GetInt64(0), "positions are contiguous");
    }

    [Fact]
    public async Task Publishing_outside_a_transaction_is_refused_so_a_change_and_its_events_cannot_come_apart()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();

        var publish = () => App.Services.GetRequiredService<IOutbox>().EnqueueAsync(db, EventsApp.ToUser(Guid.NewGuid(), "test.changed", new { }));

        await publish.Should().ThrowAsync<InvalidOperationException>().WithMessage("*transaction*");
    }

    [Fact]
    public async Task Payloads_are_stored_encrypted()
    {
        const string Secret = "survivor statement 5f2c";
        var user = Guid.NewGuid();
        await App.PublishAsync(EventsApp.ToUser(user, "test.changed", new { text = Secret }));

        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var read = new NpgsqlCommand("SELECT payload FROM platform.events WHERE audience @> ARRAY[$1]", connection);
        read.Parameters.Add(new() { Value = EventAudience.User(user) });
        var stored = (byte[])(await read.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;

        System.Text.Encoding.UTF8.GetString(stored).Should().NotContain("survivor");
        (await ReadUntilAsync(EventAudience.User(user), 0, 1))[0].Payload.GetProperty("text").GetString().Should().Be(Secret);
    }

    [Theory]
    [InlineData("Assignment.New")]
    [InlineData("assignment")]
    [InlineData("assignment.new!")]
    public void Event_types_must_be_dotted_lower_case(string type)
    {
        var create = () => EventEnvelope.Create(type, [EventAudience.User(Guid.NewGuid())], new { });

        create.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("case")]
    [InlineData("case:")]
    [InlineData("Case:1")]
    [InlineData("case:1 2")]
    public void Audiences_must_be_kind_and_id(string audience)
    {
        var create = () => EventEnvelope.Create("test.changed", [audience], new { });

        create.Should().Throw<ArgumentException>();
    }

    [Fact]
    public async Task A_reader_of_a_whole_group_kind_gets_every_group_of_that_kind_and_nothing_else()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var start = await Feed.LatestPositionAsync(cancellation);
        var (one, two) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"));
        await App.PublishAsync(
            EventsApp.ToGroup("case:" + one, "test.changed", new { n = "case one" }),
            EventsApp.ToGroup("request:" + one, "test.changed", new { n = "another kind" }),
            EventsApp.ToGroup("case:" + two, "test.changed", new { n = "case two" }));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        EventPage page;
        do
        {
            await Task.Delay(20, cancellation);
            page = await Feed.ReadAsync([], ["case"], start, 1000, cancellation);
        }
        while (page.Events.Count(e => e.Payload.GetProperty("n").GetString()!.StartsWith("case", StringComparison.Ordinal)) < 2 && DateTime.UtcNow < deadline);

        page.Events.Select(e => e.Payload.GetProperty("n").GetString()).Should().Contain(["case one", "case two"]).And.NotContain("another kind");
    }

    private async Task<IReadOnlyList<StoredEvent>> ReadUntilAsync(string audience, long after, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var page = await Feed.ReadAsync([audience], after, 1000, TestContext.Current.CancellationToken);
            if (page.Events.Count >= count)
            {
                return page.Events;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Only {page.Events.Count} of {count} events were sequenced in time.");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
