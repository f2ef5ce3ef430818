package io.vectory.store;

import java.util.Map;

/**
 * What {@code vectory add} knows of an experiment beyond its spaces: the model, the dataset it trained on and
 * its training parameters.
 *
 * @param trainDataset the training dataset's name ({@code --train-dataset}), or null
 * @param params training parameters, as given ({@code -p})
 */
public record ExperimentEntry(String name, String model, String trainDataset, Map<String, String> params, long createdAt) {
  public ExperimentEntry {
    params = Map.copyOf(params);
  }
}
