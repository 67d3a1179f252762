using Ml.Relaxation.Samples.Datasets;

namespace Ml.Relaxation.Samples.Tests;

/// <summary>How a label column's text becomes a task, with and without <c>--task</c>.</summary>
public sealed class LabelInferenceTests
{
    private static LabelColumn Infer(LearningTask? task, params string[] labels) =>
        LabelInference.Infer("f.csv", "Label", labels.Select((t, i) => ((long)i + 2, t)).ToList(), task);

    private static string Error(LearningTask? task, params string[] labels) =>
        Assert.Throws<InputError>(() => Infer(task, labels)).Message;

    [Fact]
    public void Zero_one_and_true_false_are_binary_with_the_positive_class_second()
    {
        var numbers = Infer(null, "0", "1", "1", "0");
        Assert.Equal(LearningTask.Binary, numbers.Task);
        Assert.Equal([0f, 1f, 1f, 0f], numbers.Values);
        Assert.Equal(["0", "1"], numbers.Classes!);
        var words = Infer(null, "True", "false", "TRUE");
        Assert.Equal(LearningTask.Binary, words.Task);
        Assert.Equal([1f, 0f, 1f], words.Values);
    }

    [Fact]
    public void Text_is_classes_in_ordinal_order()
    {
        var labels = Infer(null, "dog", "cat", "cow", "cat");
        Assert.Equal(LearningTask.Multiclass, labels.Task);
        Assert.Equal(["cat", "cow", "dog"], labels.Classes!);
        Assert.Equal([2f, 0f, 1f, 0f], labels.Values);
        Assert.Contains("text labels", labels.Note);
        Assert.Equal(LearningTask.Multiclass, Infer(null, "yes", "no").Task); // two text values are two classes, no guessed positive
    }

    [Fact]
    public void Non_integers_are_regression()
    {
        var labels = Infer(null, "1.5", "2", "-0.25", "1e3");
        Assert.Equal(LearningTask.Regression, labels.Task);
        Assert.Equal([1.5f, 2f, -0.25f, 1000f], labels.Values);
        Assert.Null(labels.Classes!);
    }

    [Fact]
    public void Few_integer_codes_ask_for_task_and_many_distinct_integers_are_regression()
    {
        string message = Error(null, "1", "2", "3", "2");
        Assert.Contains("3 integer codes (1, 2, 3)", message);
        Assert.Contains("--task multiclass", message);
        Assert.Contains("integer codes", Error(null, "1", "2")); // two codes that are not 0/1: which is positive?
        string[] amounts = [.. Enumerable.Range(0, LabelInference.MaxIntegerCodes + 1).Select(i => (10 * i).ToString())];
        var many = Infer(null, amounts);
        Assert.Equal(LearningTask.Regression, many.Task);
        Assert.Contains($"{LabelInference.MaxIntegerCodes + 1} distinct integers", many.Note);
    }

    [Fact]
    public void Task_multiclass_orders_numeric_classes_by_value()
    {
        var labels = Infer(LearningTask.Multiclass, "10", "9", "1.0", "9");
        Assert.Equal(["1", "9", "10"], labels.Classes!);
        Assert.Equal([2f, 1f, 0f, 1f], labels.Values);
        Assert.Null(labels.Note);
    }

    [Fact]
    public void Task_binary_takes_the_larger_number_or_the_later_text_as_positive_and_needs_two_values()
    {
        Assert.Equal([0f, 1f, 1f], Infer(LearningTask.Binary, "-1", "1", "1").Values);
        var text = Infer(LearningTask.Binary, "malignant", "benign");
        Assert.Equal([1f, 0f], text.Values);
        Assert.Contains("positive class 'malignant'", text.Note);
        Assert.Contains("exactly two distinct values; found 3", Error(LearningTask.Binary, "a", "b", "c"));
    }

    [Fact]
    public void Task_regression_needs_numbers_and_a_single_value_is_refused()
    {
        Assert.Contains("line 3 has 'cat'", Error(LearningTask.Regression, "1.5", "cat"));
        Assert.Contains("one value only ('7')", Error(null, "7", "7"));
        Assert.Contains("exactly two distinct values; found 1", Error(LearningTask.Binary, "1", "1"));
    }
}
