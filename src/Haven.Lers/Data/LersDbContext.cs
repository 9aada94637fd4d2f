using Haven.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Lers.Data;

public sealed class LersDbContext(DbContextOptions<LersDbContext> options) : HavenDbContext(options, LersModule.ModuleName)
{
}
