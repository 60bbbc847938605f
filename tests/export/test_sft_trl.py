"""TRL's SFTTrainer takes the ``sft`` export as it is: one training step on each golden file
(messages, and prompt/completion), with a tiny model and a word-level tokenizer made here (no
download). Skipped where trl or torch is not installed (they are not dependencies of annotate:
`pip install torch==2.13.0 trl` to run it)."""

from __future__ import annotations

from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} </s> {% endfor %}"
    "{% if add_generation_prompt %}<|assistant|> {% endif %}"
)


def tiny_model_and_tokenizer(texts: list[str]):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    special = ["<pad>", "<unk>", "<s>", "</s>", "<|system|>", "<|user|>", "<|assistant|>", "<|tool|>"]
    words = sorted({w for text in texts for w in text.split()} - set(special))
    vocab = {token: i for i, token in enumerate(special + words)}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token="<pad>", unk_token="<unk>", bos_token="<s>", eos_token="</s>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    config = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=256,
        pad_token_id=0,
        bos_token_id=2,
        eos_token_id=3,
    )
    return LlamaForCausalLM(config), tokenizer


@pytest.mark.parametrize("golden", ["sft.jsonl", "sft-prompt-completion.jsonl"])
def test_sft_trainer_takes_the_export_as_is(golden, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("trl")
    from datasets import load_dataset
    from trl import SFTConfig, SFTTrainer

    dataset = load_dataset("json", data_files=str(GOLDEN / golden), split="train", cache_dir=str(tmp_path / "c"))
    texts = [
        m["content"] for row in dataset for key in ("messages", "prompt", "completion") if key in row for m in row[key]
    ]
    model, tokenizer = tiny_model_and_tokenizer(texts)
    args = SFTConfig(
        output_dir=str(tmp_path / "out"),
        max_steps=1,
        per_device_train_batch_size=2,
        learning_rate=1e-3,
        max_length=128,
        report_to=[],
        save_strategy="no",
        use_cpu=True,
        logging_steps=1,
    )
    trainer = SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer)
    result = trainer.train()
    assert result.global_step == 1
    assert result.training_loss > 0
