using System.Globalization;
using AkashML.Inference.Catalog;
using AkashML.Web.Playground;
using AkashML.Web.Presets;
using Microsoft.AspNetCore.Components;

namespace AkashML.Web.Components.Pages.Playground;

public sealed partial class ParameterField
{
    [Parameter, EditorRequired]
    public SamplingParameter Parameter { get; set; } = default!;

    [Parameter, EditorRequired]
    public PlaygroundSettings Settings { get; set; } = default!;

    [Parameter, EditorRequired]
    public ModelDescriptor Model { get; set; } = default!;

    [Parameter]
    public EventCallback OnChanged { get; set; }

    /// <summary>Ties the visible label to the number field.</summary>
    private string InputId => "pg-param-" + Parameter.Name;

    private double? Value => Settings.Numbers.GetValueOrDefault(Parameter.Name);

    /// <summary>The slider shows where the value sits; it cannot leave the range, the number field can (and says so).</summary>
    private double SliderValue => Math.Clamp(Value ?? Parameter.Default, Parameter.Min, Parameter.Max);

    private string? Problem => PlaygroundRequests.Problem(Parameter, Settings, Model);

    private string Range => string.Create(CultureInfo.InvariantCulture, $"Range {Format(Parameter.Min)} to {Format(Parameter.Max)}, default {Format(Parameter.Default)}");

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private Task SetNumberAsync(double? value)
    {
        Settings.Numbers[Parameter.Name] = value;
        return OnChanged.InvokeAsync();
    }

    private Task SetSliderAsync(double value) => SetNumberAsync(Math.Round(value, 4));

    private Task SetSeedAsync(string? value)
    {
        Settings.Seed = value ?? "";
        return OnChanged.InvokeAsync();
    }

    private Task SetStopAsync(string? value)
    {
        Settings.Stop = value ?? "";
        return OnChanged.InvokeAsync();
    }
}
