package dev.distillery.core.data;

import dev.distillery.core.config.DataConfig;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.testing.Digits;
import dev.distillery.core.testing.Flights;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TabularColumnsTest {
    private static final Path FILE = Path.of("/data/flights/train.parquet");

    private static DataConfig config(String... sets) {
        List<String> all = new java.util.ArrayList<>(List.of("data.label_column=late"));
        all.addAll(List.of(sets));
        return Digits.config(Path.of("/data/flights"), all.toArray(new String[0])).data();
    }

    @Test
    void refusesDateTimestampAndStringFeaturesNamingEachWithItsType() {
        assertThatThrownBy(() -> TabularColumns.of(Flights.SCHEMA, config(), FILE))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining(FILE + " has feature columns prepare cannot read: flight_date (date), "
                        + "scheduled_departure (timestamp), carrier (string), origin (string).")
                .hasMessageContaining("prepare takes " + TabularColumns.ACCEPTED)
                .hasMessageContaining("e.g. data.feature_columns: [dep_delay, distance]")
                .hasMessageContaining("Spark reads a CSV column as text when any of its cells is not a number");
        assertThatThrownBy(() -> TabularColumns.of(Flights.SCHEMA, config("data.format=parquet"), FILE))
                .hasMessageNotContaining("CSV");
    }

    @Test
    void featureColumnsSelectNumericColumnsInTheirListedOrder() {
        TabularColumns c = TabularColumns.of(Flights.SCHEMA, config("data.feature_columns=[distance, dep_delay]"),
                FILE);
        assertThat(c.features()).containsExactly("distance", "dep_delay");
        assertThat(c.label()).isEqualTo("late");
        assertThat(c.featuresArray()).isFalse();
    }

    @Test
    void acceptsEveryNumericTypeAndBoolean() {
        StructType schema = new StructType().add("b", DataTypes.ByteType).add("s", DataTypes.ShortType)
                .add("i", DataTypes.IntegerType).add("l", DataTypes.LongType).add("f", DataTypes.FloatType)
                .add("d", DataTypes.DoubleType).add("m", DataTypes.createDecimalType(10, 2))
                .add("flag", DataTypes.BooleanType).add("late", DataTypes.BooleanType);
        assertThat(TabularColumns.of(schema, config(), FILE).features())
                .containsExactly("b", "s", "i", "l", "f", "d", "m", "flag");
    }

    @Test
    void aSingleNumericArrayColumnNamedFeaturesIsTheWholeVector() {
        StructType ok = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("late", DataTypes.LongType);
        assertThat(TabularColumns.of(ok, config(), FILE).featuresArray()).isTrue();
        StructType strings = new StructType().add("features", DataTypes.createArrayType(DataTypes.StringType))
                .add("late", DataTypes.LongType);
        assertThatThrownBy(() -> TabularColumns.of(strings, config(), FILE))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("column 'features' has type array<string>");
    }

    @Test
    void refusesATextLabelPointingToClassNames() {
        StructType schema = new StructType().add("x", DataTypes.DoubleType).add("late", DataTypes.StringType);
        assertThatThrownBy(() -> TabularColumns.of(schema, config(), FILE))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("label column 'late' has type string")
                .hasMessageContaining("data.class_names");
    }

    @Test
    void refusesFeatureColumnsTheFileDoesNotHave() {
        assertThatThrownBy(() -> TabularColumns.of(Flights.SCHEMA, config("data.feature_columns=[dep_delay, arr_delay]"),
                FILE))
                .isInstanceOf(DataContractException.class)
                .hasMessageContaining("data.feature_columns names [arr_delay], which " + FILE + " does not have");
    }

    @Test
    void featureColumnsMayNotRepeatAColumnOrNameTheLabel() {
        assertThatThrownBy(() -> config("data.feature_columns=[dep_delay, late]"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("data.feature_columns[1] is the label column late");
        assertThatThrownBy(() -> config("data.feature_columns=[dep_delay, dep_delay]"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("data.feature_columns lists dep_delay twice");
    }
}
