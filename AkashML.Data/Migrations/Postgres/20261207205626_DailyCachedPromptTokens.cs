using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AkashML.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DailyCachedPromptTokens : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "CachedPromptTokens",
                table: "UsageRollups",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CachedPromptTokens",
                table: "UsageRollups");
        }
    }
}
