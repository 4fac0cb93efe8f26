using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AkashML.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class UsageQueueMs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "QueueMs",
                table: "UsageRecords",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "QueueMs",
                table: "UsageRecords");
        }
    }
}
