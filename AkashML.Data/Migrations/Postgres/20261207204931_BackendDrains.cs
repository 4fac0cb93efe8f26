using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AkashML.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class BackendDrains : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BackendDrains",
                columns: table => new
                {
                    ModelId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    BackendIndex = table.Column<int>(type: "integer", nullable: false),
                    Target = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    DrainedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackendDrains", x => new { x.ModelId, x.BackendIndex });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BackendDrains");
        }
    }
}
