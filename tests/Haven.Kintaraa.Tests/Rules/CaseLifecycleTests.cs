using Haven.Kintaraa.Cases;
using Haven.Kintaraa.Data;

namespace Haven.Kintaraa.Tests.Rules;

public sealed class CaseLifecycleTests
{
    [Theory]
    [InlineData(CaseStatus.InProgress, CaseStatus.Completed, CaseActor.Provider)]
    [InlineData(CaseStatus.InProgress, CaseStatus.Completed, CaseActor.Admin)]
    [InlineData(CaseStatus.Completed, CaseStatus.Closed, CaseActor.Survivor)]
    [InlineData(CaseStatus.Completed, CaseStatus.Closed, CaseActor.Admin)]
    [InlineData(CaseStatus.New, CaseStatus.Closed, CaseActor.Survivor)]
    [InlineData(CaseStatus.Assigned, CaseStatus.Closed, CaseActor.Survivor)]
    [InlineData(CaseStatus.InProgress, CaseStatus.Closed, CaseActor.Survivor)]
    [InlineData(CaseStatus.New, CaseStatus.Assigned, CaseActor.System)]
    [InlineData(CaseStatus.Assigned, CaseStatus.InProgress, CaseActor.System)]
    public void The_main_line_and_withdrawal_are_allowed_to_the_right_people(CaseStatus from, CaseStatus to, CaseActor actor) =>
        CaseLifecycle.CanTransition(from, to, actor).Should().BeTrue();

    [Theory]
    [InlineData(CaseStatus.New, CaseStatus.Completed, CaseActor.Admin)]
    [InlineData(CaseStatus.New, CaseStatus.InProgress, CaseActor.Provider)]
    [InlineData(CaseStatus.Assigned, CaseStatus.Completed, CaseActor.Provider)]
    [InlineData(CaseStatus.Closed, CaseStatus.InProgress, CaseActor.Admin)]
    [InlineData(CaseStatus.Closed, CaseStatus.New, CaseActor.System)]
    [InlineData(CaseStatus.InProgress, CaseStatus.Completed, CaseActor.Survivor)]
    [InlineData(CaseStatus.InProgress, CaseStatus.Closed, CaseActor.Provider)]
    [InlineData(CaseStatus.New, CaseStatus.Assigned, CaseActor.Admin)]
    [InlineData(CaseStatus.Completed, CaseStatus.Completed, CaseActor.Admin)]
    public void Skipping_steps_reopening_closed_cases_and_acting_out_of_role_are_illegal(CaseStatus from, CaseStatus to, CaseActor actor) =>
        CaseLifecycle.CanTransition(from, to, actor).Should().BeFalse();

    [Fact]
    public void The_targets_offered_to_a_provider_on_a_case_in_progress_are_only_completion() =>
        CaseLifecycle.TargetsFor(CaseStatus.InProgress, CaseActor.Provider).Should().Equal(CaseStatus.Completed);

    [Theory]
    [InlineData(CaseStatus.New, 1, 0, 0, CaseStatus.Assigned)]
    [InlineData(CaseStatus.Assigned, 1, 1, 0, CaseStatus.InProgress)]
    [InlineData(CaseStatus.Assigned, 0, 0, 0, CaseStatus.New)]
    [InlineData(CaseStatus.InProgress, 1, 0, 1, CaseStatus.Assigned)]
    [InlineData(CaseStatus.InProgress, 0, 0, 2, CaseStatus.Completed)]
    [InlineData(CaseStatus.InProgress, 0, 0, 0, CaseStatus.New)]
    [InlineData(CaseStatus.Completed, 1, 0, 2, CaseStatus.Assigned)]
    [InlineData(CaseStatus.Completed, 0, 0, 2, CaseStatus.Completed)]
    [InlineData(CaseStatus.Closed, 1, 1, 0, CaseStatus.Closed)]
    public void The_system_derives_the_status_from_the_live_referrals(CaseStatus current, int offered, int accepted, int done, CaseStatus expected) =>
        CaseLifecycle.Derive(current, new ReferralSummary(offered, accepted, done)).Should().Be(expected);

    [Fact]
    public void Every_derived_change_is_a_transition_the_system_may_make()
    {
        foreach (var current in Enum.GetValues<CaseStatus>())
        {
            for (var offered = 0; offered <= 1; offered++)
            {
                for (var accepted = 0; accepted <= 1; accepted++)
                {
                    for (var done = 0; done <= 1; done++)
                    {
                        var next = CaseLifecycle.Derive(current, new ReferralSummary(offered, accepted, done));
                        if (next != current)
                        {
                            CaseLifecycle.CanTransition(current, next, CaseActor.System).Should().BeTrue($"{current} -> {next} is derived");
                        }
                    }
                }
            }
        }
    }
}
