"""PyTorch eager on the GPU for the transformer-era models of export_full.py (same configs, seeded
random weights, batch 1): the reference the issue's table quotes. Inputs already on the GPU
(device-resident, as PyTorch is usually timed), fp32 and fp16, mean ms over 50 runs after 10.
  python3 bench/gpu-models/torch_time.py [names...] > torch.txt"""
import sys, time, torch

def bench(fn, iters=50):
    with torch.inference_mode():
        for _ in range(10): fn()
        torch.cuda.synchronize(); t = time.perf_counter()
        for _ in range(iters): fn()
        torch.cuda.synchronize()
    return (time.perf_counter() - t) / iters * 1000

def models():
    from transformers import ViTConfig, ViTModel, BertConfig, BertModel, GPT2Config, GPT2Model, WhisperConfig
    from transformers.models.whisper.modeling_whisper import WhisperEncoder
    import timm
    ids = lambda n: torch.randint(0, 30000, (1, n), device='cuda')
    yield 'vit_b16', lambda: ViTModel(ViTConfig(attn_implementation='eager'), add_pooling_layer=False), lambda m, dt: dict(pixel_values=torch.randn(1, 3, 224, 224, device='cuda', dtype=dt))
    yield 'bert_base', lambda: BertModel(BertConfig(attn_implementation='eager')), lambda m, dt: dict(input_ids=ids(128), attention_mask=torch.ones(1, 128, dtype=torch.int64, device='cuda'), token_type_ids=torch.zeros(1, 128, dtype=torch.int64, device='cuda'))
    yield 'gpt2', lambda: GPT2Model(GPT2Config(attn_implementation='eager')), lambda m, dt: dict(input_ids=ids(64), use_cache=False)
    c = WhisperConfig(d_model=384, encoder_layers=4, encoder_attention_heads=6, encoder_ffn_dim=1536, num_mel_bins=80, attn_implementation='eager')
    yield 'whisper_tiny_encoder', lambda: WhisperEncoder(c), lambda m, dt: dict(input_features=torch.randn(1, 80, 3000, device='cuda', dtype=dt))
    yield 'convnext_tiny', lambda: timm.create_model('convnext_tiny', pretrained=False), lambda m, dt: dict(x=torch.randn(1, 3, 224, 224, device='cuda', dtype=dt))

want = sys.argv[1:]
print(f'# torch {torch.__version__}, {torch.cuda.get_device_name()}; eager, batch 1, inputs on the GPU, mean of 50 runs')
for name, make, feeds in models():
    if want and name not in want: continue
    for dt in (torch.float32, torch.float16):
        try:
            m = make().eval().cuda().to(dt)
            f = feeds(m, dt)
            ms = bench(lambda: m(**f))
            print(f'{name} {str(dt)[6:]}: {ms:.3f} ms', flush=True)
        except Exception as e:
            print(f'{name} {str(dt)[6:]}: failed {e!r:.200}', flush=True)
