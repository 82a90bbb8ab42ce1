package dev.distillery.core.data;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/** Shape, classes and split sizes of a prepared example dataset ({@code prepared/dataset.json}). */
public record DatasetInfo(int channels, int height, int width,
                          @JsonProperty("num_classes") int numClasses,
                          @JsonProperty("class_names") List<String> classNames,
                          Map<String, Long> counts,
                          String source) {

    public int featureLength() {
        return channels * height * width;
    }
}
