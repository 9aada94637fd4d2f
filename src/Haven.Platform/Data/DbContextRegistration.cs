namespace Haven.Platform.Data;

/// <summary>One registered Haven DbContext; the schema agreement test and the schema-script command enumerate these.</summary>
public sealed record DbContextRegistration(Type ContextType);
