using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Haven.Pss.Data;

/// <summary>
/// SEAM(kernel field encryption): every sensitive PSS column is configured through <see cref="IsSensitive"/>, so the
/// switch to the kernel's <c>IsEncrypted()</c> (AES-256-GCM, keyed blind index) is one place. Until the kernel branch is
/// merged the columns are already <c>bytea</c> but hold UTF-8 text, and the ID-number blind index is not maintained.
/// </summary>
internal static class SensitiveColumns
{
    public const string IdNumberBlindIndex = "IdNumberBlindIndex";

    public static PropertyBuilder<T> IsSensitive<T>(this PropertyBuilder<T> property) =>
        property.HasConversion(new ValueConverter<string, byte[]>(v => Encoding.UTF8.GetBytes(v), v => Encoding.UTF8.GetString(v))).HasColumnType("bytea");

    public static void HasIdNumberBlindIndex(this EntityTypeBuilder<Profile> builder)
    {
        builder.Property<byte[]?>(IdNumberBlindIndex);
        builder.HasIndex(IdNumberBlindIndex);
    }
}
