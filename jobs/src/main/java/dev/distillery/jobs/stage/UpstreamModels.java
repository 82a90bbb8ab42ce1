package dev.distillery.jobs.stage;

import dev.distillery.core.error.DataContractException;
import dev.distillery.core.manifest.Manifest;
import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.manifest.ModelOutput;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The models an upstream stage wrote, as its manifest lists them: how later stages learn which variants exist. */
final class UpstreamModels {
    /** A model by the variant name reports give it, its report kind, and its file in the writing stage's folder. */
    record Model(String variant, String kind, StageFile file) {
        Path path(StageContext ctx) {
            return file.path(ctx);
        }
    }

    private UpstreamModels() {
    }

    /** The models {@code stage} lists in its manifest under {@code ctx}'s run, in the order it wrote them. */
    static List<Model> of(StageContext ctx, Stage stage) {
        Path dir = stage.output().dir(ctx);
        Manifest manifest = ManifestIO.read(dir).orElseThrow(() -> new DataContractException(dir
                + " has no manifest; run " + stage.name() + " first"));
        Map<String, ModelOutput> models = manifest.models();
        if (models == null) {
            throw new DataContractException(dir + "/" + ManifestIO.FILE + " does not list the models "
                    + stage.name() + " wrote (an older Distillery wrote it); run " + stage.name() + " --force");
        }
        List<Model> out = new ArrayList<>();
        models.forEach((variant, m) -> out.add(new Model(variant, m.kind(), stage.output().file(m.file()))));
        return out;
    }
}
