using AkashML.Inference.Catalog;
using AkashML.Web.Playground;
using Microsoft.AspNetCore.Components;

namespace AkashML.Web.Components.Pages.Playground;

public sealed partial class PlaygroundColumn
{
    [Parameter, EditorRequired]
    public ModelDescriptor Model { get; set; } = default!;

    [Parameter, EditorRequired]
    public IReadOnlyList<PlaygroundTurn> Turns { get; set; } = [];

    /// <summary>The first column: its user messages can be edited and resent (for every column).</summary>
    [Parameter]
    public bool Primary { get; set; }

    /// <summary>More than one column is shown.</summary>
    [Parameter]
    public bool Compared { get; set; }

    [Parameter]
    public bool Busy { get; set; }

    [Parameter]
    public EventCallback<string> OnRegenerate { get; set; }

    [Parameter]
    public EventCallback<(int Index, string Text)> OnResend { get; set; }

    [Parameter]
    public EventCallback<string> OnViewCode { get; set; }
}
