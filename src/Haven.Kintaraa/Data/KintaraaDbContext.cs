using Haven.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Kintaraa.Data;

public sealed class KintaraaDbContext(DbContextOptions<KintaraaDbContext> options) : HavenDbContext(options, KintaraaModule.ModuleName)
{
}
