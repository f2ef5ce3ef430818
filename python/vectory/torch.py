"""Optional PyTorch helper (needs python3-torch): embed a DataLoader through a model for `Run.log`."""
import numpy as np


def embed(model, loader, device=None):
    """Runs every batch of ``loader`` through ``model`` in eval mode without gradients and returns
    ``(embeddings, labels)`` as numpy arrays (labels None when batches carry none). The model's training mode is
    restored afterwards. Batches may be tensors or (inputs, labels, ...) tuples."""
    import torch

    was_training = model.training
    model.eval()
    outs, labels = [], []
    try:
        with torch.no_grad():
            for batch in loader:
                x, y = (batch[0], batch[1] if len(batch) > 1 else None) if isinstance(batch, (list, tuple)) else (batch, None)
                if device is not None:
                    x = x.to(device)
                outs.append(model(x).detach().cpu().numpy())
                if y is not None:
                    labels.append(np.asarray(y.cpu().numpy() if hasattr(y, "cpu") else y))
    finally:
        model.train(was_training)
    return np.concatenate(outs).astype("<f4", copy=False), (np.concatenate(labels) if labels else None)
