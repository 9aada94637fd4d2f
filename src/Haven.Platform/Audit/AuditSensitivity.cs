using Haven.Platform.Crypto;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Haven.Platform.Audit;

/// <summary>Marks properties whose values must never reach the audit trail (encrypted properties are sensitive already).</summary>
public static class AuditSensitivity
{
    public const string Annotation = "Haven:AuditSensitive";

    /// <summary><see cref="AuditChanges.Of"/> records only that this property changed, never its old or new value.</summary>
    public static PropertyBuilder<T> IsAuditSensitive<T>(this PropertyBuilder<T> builder) => builder.HasAnnotation(Annotation, true);

    public static bool IsSensitive(IReadOnlyProperty property) =>
        property.FindAnnotation(Annotation) is not null || property.FindAnnotation(FieldEncryption.EncryptedAnnotation) is not null;
}
