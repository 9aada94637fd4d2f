using Haven.Kintaraa.Data;

namespace Haven.Kintaraa.Cases;

/// <summary>The words of system messages in case chats: plain, and never naming the survivor.</summary>
public static class CaseWording
{
    public static string Service(SupportService service) => service switch
    {
        SupportService.Medical => "medical care",
        SupportService.Emergency => "emergency rescue",
        SupportService.Police => "police",
        SupportService.Legal => "legal aid",
        SupportService.Counseling => "counseling",
        SupportService.Shelter => "shelter",
        SupportService.Financial => "financial support",
        SupportService.CommunityHealth => "community health support",
        _ => SnakeEnum<SupportService>.Name(service),
    };

    public static string Status(CaseStatus status) => status switch
    {
        CaseStatus.New => "new",
        CaseStatus.Assigned => "assigned",
        CaseStatus.InProgress => "in progress",
        CaseStatus.Completed => "completed",
        CaseStatus.Closed => "closed",
        _ => SnakeEnum<CaseStatus>.Name(status),
    };

    public static string ProviderName(Provider provider) =>
        provider.DisplayName == provider.Organisation ? provider.Organisation : $"{provider.DisplayName} ({provider.Organisation})";
}
