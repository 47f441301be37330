"""Models with symbolic dims for the dynamic-shapes speed figures of issue 17 (GPU machine):
torchvision ResNet-50 with a dynamic batch and Hugging Face BertModel (BERT-base config, seeded
random weights) with dynamic batch and sequence, both through torch.onnx.export's dynamic_axes.
Writes OUT/resnet50_dyn/model.onnx and OUT/bert_base_dyn/model.onnx (with onnxruntime outputs at
the traced shape in test_data_set_0); bert_tiny_dyn is the BERT export at test size (2 layers,
width 32, vocabulary 1,100), only when EXPORT_MODELS names it."""
import os, sys, torch
sys.argv = [sys.argv[0], sys.argv[1]]
import export_models as em

def resnet():
    import torchvision
    torch.manual_seed(1)
    m = torchvision.models.resnet50(weights=None)
    em.export('resnet50_dyn', m, (torch.randn(2, 3, 224, 224),), ['input'], ['logits'],
              dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})

def bert(name='bert_base_dyn', **config):
    from transformers import BertConfig, BertModel
    torch.manual_seed(7)
    m = BertModel(BertConfig(attn_implementation='eager', **config))
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, a, b, t): return s.m(input_ids=a, attention_mask=b, token_type_ids=t).last_hidden_state
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(1000, min(30000, m.config.vocab_size), (2, 128 if name == 'bert_base_dyn' else 16), generator=g)
    axes = {n: {0: 'batch', 1: 'sequence'} for n in ['input_ids', 'attention_mask', 'token_type_ids', 'last_hidden_state']}
    em.export(name, W(), (ids, torch.ones_like(ids), torch.zeros_like(ids)), ['input_ids', 'attention_mask', 'token_type_ids'],
              ['last_hidden_state'], dynamic_axes=axes)

# the same export at test size (a small fixture for the profile path on lavapipe)
bert_tiny = lambda: bert('bert_tiny_dyn', hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64, vocab_size=1100, max_position_embeddings=64)

for name, fn in [('resnet50_dyn', resnet), ('bert_base_dyn', bert), ('bert_tiny_dyn', bert_tiny)]:
    if name in os.environ.get('EXPORT_MODELS', 'resnet50_dyn bert_base_dyn').split():
        em.attempt(name, fn)
