using AkashML.Data.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Billing;

internal sealed class LedgerEntryConfiguration : IEntityTypeConfiguration<LedgerEntry>
{
    public void Configure(EntityTypeBuilder<LedgerEntry> builder)
    {
        builder.ToTable("LedgerEntries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.InferenceId).HasMaxLength(64);
        builder.Property(e => e.PaymentReference).HasMaxLength(200);
        builder.Property(e => e.Note).HasMaxLength(500);
        builder.HasIndex(e => new { e.UserId, e.CreatedAt });
        builder.HasIndex(e => e.PoolId);
        builder.HasIndex(e => e.ReservationId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<CreditPool>().WithMany().HasForeignKey(e => e.PoolId).OnDelete(DeleteBehavior.Cascade);
    }
}
