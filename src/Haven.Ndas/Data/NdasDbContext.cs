using Haven.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Ndas.Data;

public sealed class NdasDbContext(DbContextOptions<NdasDbContext> options) : HavenDbContext(options, NdasModule.ModuleName)
{
}
